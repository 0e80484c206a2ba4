/**
 * Parameter files past the kit's reading limits (spec/read-file.ts), built one way for the tests
 * that check the answer (test/spec/read-file-limits.test.ts) and the benchmark that times it
 * (`npm run bench -- --parameter-files-only`), so the figures printed are for the files tested.
 */

/** Keys in the file that is over 10 MB: ten times the size limit, with keys as long as real settings. */
export const TEN_MEGABYTE_KEYS = 130_000;

/** `base` with `count` short app.env keys (`V000000: 1`, 15 bytes a line) after its `  module:` line. */
export function withEnvKeys(base: string, count: number): string {
  return withEnvLines(base, Array.from({ length: count }, (_, i) => `    V${String(i).padStart(6, '0')}: 1`));
}

/** `base` with TEN_MEGABYTE_KEYS app.env keys of about 80 bytes each, over 10 MB in all. */
export function tenMegabyteFile(base: string): string {
  return withEnvLines(
    base,
    Array.from({ length: TEN_MEGABYTE_KEYS }, (_, i) => `    DJANGO_SETTING_NUMBER_${String(i).padStart(6, '0')}: "some value of sixty characters or so, as real settings have"`),
  );
}

function withEnvLines(base: string, lines: readonly string[]): string {
  if (!/^ {2}module: .*$/m.test(base) || /^ {2}env:/m.test(base)) throw new Error('the base file needs an app.module line and no app.env');
  return base.replace(/^ {2}module: .*$/m, (module) => `${module}\n  env:\n${lines.join('\n')}`);
}
