// Packs what a user installs into build/packages/ (or the folder given as the argument): the platform package
// holding this machine's addon (packages/<platform>/package.json, or one written here for a platform the
// repository has none for) and the stratacache package, whose manifest gains the platform packages as optional
// dependencies (they are not in the repository's own package.json, where `npm ci` would look for them in the
// registry). Each is staged in the destination first, so that runs into different folders can go at once.
// Run after `npm run build`. Prints the tarballs' paths as JSON.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../', import.meta.url);
const destination = process.argv[2] ? pathToFileURL(`${resolve(process.argv[2])}/`) : new URL('build/packages/', root);
const readJson = (url) => JSON.parse(readFileSync(url, 'utf8'));
const writeJson = (url, value) => writeFileSync(url, `${JSON.stringify(value, null, 2)}\n`);
const main = readJson(new URL('package.json', root));

function freshFolder(name) {
  const folder = new URL(`${name}/`, destination);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  return folder;
}

// The platform package.
const libc = process.platform !== 'linux' ? '' : process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl';
const platform = [process.platform, process.arch, libc].filter(Boolean).join('-');
const known = new URL(`packages/${platform}/package.json`, root);
const platformManifest = existsSync(known) ? readJson(known) : {
  name: `@stratacache/${platform}`, version: main.version, license: main.license,
  os: [process.platform], cpu: [process.arch], ...(libc && { libc: [libc === 'gnu' ? 'glibc' : 'musl'] }),
  files: ['stratacache.node', 'LICENSE'], main: 'stratacache.node',
};
const platformStage = freshFolder('platform');
writeJson(new URL('package.json', platformStage), platformManifest);
copyFileSync(new URL('build/addon/Release/stratacache.node', root), new URL('stratacache.node', platformStage));
copyFileSync(new URL('LICENSE', root), new URL('LICENSE', platformStage));
const platformReadme = new URL(`packages/${platform}/README.md`, root);
if (existsSync(platformReadme)) copyFileSync(platformReadme, new URL('README.md', platformStage));

// The stratacache package: every platform package the repository has, and this machine's, at its version.
const optionalDependencies = { [platformManifest.name]: platformManifest.version };
for (const name of readdirSync(new URL('packages/', root))) {
  const { name: packageName, version } = readJson(new URL(`packages/${name}/package.json`, root));
  optionalDependencies[packageName] = version;
}
for (const [name, version] of Object.entries(optionalDependencies)) {
  if (version !== main.version) throw new Error(`${name} has version ${version}; stratacache has ${main.version}`);
}
const stage = freshFolder('stratacache');
for (const file of ['dist', 'LICENSE', 'README.md']) {
  cpSync(new URL(file, root), new URL(file, stage), { recursive: true });
}
const { scripts, devDependencies, ...published } = main;
writeJson(new URL('package.json', stage), { ...published, optionalDependencies });

const pack = (folder) => {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination.pathname],
    { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return new URL(JSON.parse(output)[0].filename, destination).pathname;
};
const tarballs = { stratacache: pack(stage), platform: pack(platformStage), platformPackage: platformManifest.name };
console.log(JSON.stringify(tarballs));
