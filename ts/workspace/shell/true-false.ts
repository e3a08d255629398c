// true and false: exit 0 and 1, for conditionals ('grep -q x f && echo yes || true').
import type { Command } from './io.js';

export const trueCommand: Command = { usageExitCode: 0, run: async () => 0 };
export const falseCommand: Command = { usageExitCode: 1, run: async () => 1 };
