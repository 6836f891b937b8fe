// Prints the GraphQL schema to src/schema/schema.graphql (committed; a test keeps it current).
import { writeFileSync } from 'node:fs';
import { printSchemaSDL } from '../src/schema/index.js';

writeFileSync(new URL('../src/schema/schema.graphql', import.meta.url), printSchemaSDL());
console.log('wrote src/schema/schema.graphql');
