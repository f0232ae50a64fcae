/** Jest in native ESM mode: run through `node --experimental-vm-modules` (see package.json). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  // A guard, not a cure: a test that fails midway can leave a child process, a socket or a browser behind,
  // and CI must still end with its count rather than wait for them (a clean run exits by itself).
  forceExit: true,
};
