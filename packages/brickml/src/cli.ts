#!/usr/bin/env node
import { runCli } from './commands.js';

// Exit explicitly: a loaded webgpu device keeps the event loop alive.
process.exit(await runCli(process.argv.slice(2)));
