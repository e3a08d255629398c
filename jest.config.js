// Jest runs the TypeScript tests as ES modules (node --experimental-vm-modules) against the built package in dist/.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/js', '<rootDir>/tests/packaging'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tests/js/tsconfig.json' }],
  },
  // Tests import their helpers as './x.js', the way compiled ESM does; map that back to the .ts source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60_000,
};
