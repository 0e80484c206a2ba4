/**
 * Draws a Mermaid file to SVG with the real renderer (mermaid-cli in Debian's chromium). The
 * browser comes from scripts/puppeteer-config.json, never from a download: CI reaches only the
 * npm registry, and .puppeteerrc.cjs stops puppeteer fetching Chrome at install.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
export const MMDC = join(ROOT, 'node_modules', '.bin', 'mmdc');
export const PUPPETEER_CONFIG = join(ROOT, 'scripts', 'puppeteer-config.json');
/** The browser the puppeteer config names (Debian's `chromium` package). */
export const CHROMIUM = '/usr/bin/chromium';

/** mmdc's arguments to draw `input` (.mmd) into `output` (.svg). */
export function mmdcArgs(input: string, output: string): string[] {
  return ['--puppeteerConfigFile', PUPPETEER_CONFIG, '--input', input, '--output', output, '--quiet'];
}

/** Draws one diagram; rejects with mmdc's output when it fails. Asynchronous, so several can run at once. */
export async function renderMermaidSvg(input: string, output: string): Promise<void> {
  await promisify(execFile)(MMDC, mmdcArgs(input, output), { timeout: 120_000 });
}
