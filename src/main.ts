#!/usr/bin/env node
// The entry point. Start-up is mostly Node compiling ~950 module files, so the module compile cache
// goes on before any of them loads (a second run starts in about two thirds of the time); then the
// program itself (app.ts).
import module from 'node:module';

// Best effort: where the cache directory cannot be written (a read-only pod) Node just leaves it off.
try {
  module.enableCompileCache?.();
} catch {
  // an older Node without the cache: start the slow way
}
await import('./app.js');
