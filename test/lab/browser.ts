// Opens pages in Debian's chromium through playwright-core, for the report's browser test.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const underCi = () => process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/**
 * Why the browser test is skipped, or false when it runs. It is skipped only where chromium is
 * missing and CI is not set; under CI it runs, and a missing chromium fails it.
 */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH) || underCi()) return false;
  return `${CHROMIUM_PATH} not found: install Debian's chromium (apt-get install chromium) to run the browser test; under CI=true it is required`;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing but the browser test must run under CI: install Debian's chromium (apt-get install chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
