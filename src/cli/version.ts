// Kept in source rather than read from package.json so the single-file release binary knows it too;
// test/cli/version.test.ts keeps the two in step.
export const VERSION = '0.1.0';
