import type { BrowserContext } from 'playwright-core';

export const repoRoot: string;
export function bundlePage(entry: string, outdir: string): Promise<void>;
export function serve(routes: Record<string, string>): Promise<{ origin: string; close(): Promise<void> }>;
export function profileFolder(): Promise<string>;
export function launchChromium(profile?: string): Promise<{ context: BrowserContext; close(): Promise<void> }>;
