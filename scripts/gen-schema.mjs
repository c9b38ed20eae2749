// Writes the published JSON Schemas (the matrix file, run.json) from the zod schemas in dist/.
import { mkdir, writeFile } from 'node:fs/promises';
import * as z from 'zod';
import { MatrixFileSchema } from '../dist/core/matrix.js';
import { runJsonSchema } from '../dist/core/run-schema.js';

const root = new URL('../schema/', import.meta.url);
await mkdir(root, { recursive: true });
const matrix = { $id: 'https://locust-driver.dev/schema/matrix.schema.json', ...z.toJSONSchema(MatrixFileSchema, { io: 'input' }) };
await writeFile(new URL('matrix.schema.json', root), `${JSON.stringify(matrix, null, 2)}\n`);
await writeFile(new URL('run.schema.json', root), `${JSON.stringify(runJsonSchema(), null, 2)}\n`);
