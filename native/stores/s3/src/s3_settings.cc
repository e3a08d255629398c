#include "stratacache/s3/s3_settings.h"

#include <cstdlib>

#include "ini_file.h"

namespace stratacache::s3 {
namespace {

// The chosen profile's sections in the two shared files (empty where a file or section is missing).
struct Profile {
  IniSection credentials_file;
  IniSection config_file;
};

// An environment lookup that treats an empty variable as unset, as the SDKs do.
std::optional<std::string> Env(const EnvLookup& env, const std::string& name) {
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::optional<std::string> Setting(const IniSection& section, const std::string& name) {
  auto it = section.find(name);
  if (it == section.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string SharedFilePath(const EnvLookup& env, const char* override_variable, const char* file_name) {
  if (auto path = Env(env, override_variable)) return *path;
  return Env(env, "HOME").value_or("") + "/.aws/" + file_name;
}

S3Result<Profile> LoadProfile(const S3ClientOptions& options, const EnvLookup& env) {
  std::optional<std::string> name = options.profile.empty() ? Env(env, "AWS_PROFILE") : options.profile;
  const bool named = name.has_value();
  if (!named) name = "default";

  Profile profile;
  bool found = false;
  if (auto file = ReadIniFile(SharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"))) {
    if (auto it = file->find(*name); it != file->end()) {
      profile.credentials_file = it->second;
      found = true;
    }
  }
  if (auto file = ReadIniFile(SharedFilePath(env, "AWS_CONFIG_FILE", "config"))) {
    // The config file names profiles "[profile NAME]", except that the default may be plain "[default]".
    for (const std::string& section : {"profile " + *name, *name == "default" ? *name : std::string()}) {
      if (auto it = file->find(section); it != file->end()) {
        profile.config_file = it->second;
        found = true;
        break;
      }
    }
  }
  if (named && !found) {
    return {S3Error::Make(S3ErrorKind::kInvalidArg, "AWS profile '" + *name + "' is not in the shared files")};
  }
  return {S3Error::Ok(), std::move(profile)};
}

// Key and secret from one source, or an error naming the half that is missing.
S3Result<std::optional<Credentials>> Pair(std::optional<std::string> key, std::optional<std::string> secret,
                                          std::optional<std::string> token, const std::string& source) {
  if (!key && !secret) return {};
  if (!key || !secret) {
    return {S3Error::Make(S3ErrorKind::kInvalidArg, source + " sets " +
                                                        (key ? "an access key id but no secret access key"
                                                             : "a secret access key but no access key id"))};
  }
  return {S3Error::Ok(), Credentials{std::move(*key), std::move(*secret), token.value_or("")}};
}

S3Result<Credentials> ResolveCredentials(const S3ClientOptions& options, const EnvLookup& env, const Profile& profile) {
  if (options.credentials) {
    const Credentials& given = *options.credentials;
    if (given.access_key_id.empty() || given.secret_access_key.empty()) {
      return {S3Error::Make(S3ErrorKind::kInvalidArg, "credentials need both an access key id and a secret")};
    }
    return {S3Error::Ok(), given};
  }
  auto from_env = Pair(Env(env, "AWS_ACCESS_KEY_ID"), Env(env, "AWS_SECRET_ACCESS_KEY"), Env(env, "AWS_SESSION_TOKEN"),
                       "the environment");
  if (!from_env.ok()) return {from_env.error};
  if (from_env.value) return {S3Error::Ok(), *from_env.value};

  for (const IniSection* section : {&profile.credentials_file, &profile.config_file}) {
    auto from_file = Pair(Setting(*section, "aws_access_key_id"), Setting(*section, "aws_secret_access_key"),
                          Setting(*section, "aws_session_token"), "the shared AWS profile");
    if (!from_file.ok()) return {from_file.error};
    if (from_file.value) return {S3Error::Ok(), *from_file.value};
  }
  return {S3Error::Make(S3ErrorKind::kAuth,
                        "no S3 credentials: none given, none in the environment (AWS_ACCESS_KEY_ID, "
                        "AWS_SECRET_ACCESS_KEY) and none in the shared AWS files")};
}

// AWS's own endpoint for a region; the China regions live under another domain.
std::string AwsEndpoint(const std::string& region) {
  const bool china = region.rfind("cn-", 0) == 0;
  return "https://s3." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

S3Result<S3Settings> ResolveSettings(const S3ClientOptions& options, const EnvLookup& env) {
  auto profile = LoadProfile(options, env);
  if (!profile.ok()) return {profile.error};
  auto credentials = ResolveCredentials(options, env, profile.value);
  if (!credentials.ok()) return {credentials.error};

  S3Settings settings;
  settings.credentials = std::move(credentials.value);
  settings.force_path_style = options.force_path_style.value_or(false);

  const IniSection& config = profile.value.config_file;
  std::optional<std::string> region = options.region.empty() ? std::nullopt : std::optional(options.region);
  if (!region) region = Env(env, "AWS_REGION");
  if (!region) region = Env(env, "AWS_DEFAULT_REGION");
  if (!region) region = Setting(config, "region");
  settings.region = region.value_or(kDefaultRegion);

  std::optional<std::string> endpoint = options.endpoint.empty() ? std::nullopt : std::optional(options.endpoint);
  if (!endpoint) endpoint = Env(env, "AWS_ENDPOINT_URL_S3");
  if (!endpoint) endpoint = Env(env, "AWS_ENDPOINT_URL");
  if (!endpoint) endpoint = Setting(config, "endpoint_url");
  settings.endpoint = endpoint.value_or(AwsEndpoint(settings.region));
  return {S3Error::Ok(), std::move(settings)};
}

}  // namespace stratacache::s3
