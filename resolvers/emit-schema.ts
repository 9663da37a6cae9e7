// `npm run schema:emit`: writes schema/schema.graphql from the type-graphql classes.
import { writeFile } from 'node:fs/promises';
import { buildAppSchema, printAppSchema } from './schema.js';

const sdl = printAppSchema(await buildAppSchema());
await writeFile(new URL('../../schema/schema.graphql', import.meta.url), sdl);
console.log(`schema/schema.graphql written (${sdl.length} bytes)`);
