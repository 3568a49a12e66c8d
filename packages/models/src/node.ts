/**
 * The Node entry of @brickml/models (package.json's "node" condition): everything the main entry has, plus
 * file paths for saving and loading, on node:fs. Browser bundles take the main entry, which imports no
 * `node:` module.
 */
import { setFileSystem } from './io/file-system.js';
import { nodeFileSystem } from './io/node-file-system.js';

export * from './index.js';

setFileSystem(nodeFileSystem);
