#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader: no build step after npm install.
import { register } from 'tsx/esm/api';

register();
const { runCommandLine } = await import('../src-main/cli/main.ts');
await runCommandLine();
