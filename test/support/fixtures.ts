import * as fs from 'node:fs';
import * as path from 'node:path';

/** A file of test/fixtures/images, found from the sources or from the compiled out/ tree alike. */
export function imageFixture(name: string): Uint8Array {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'test', 'fixtures', 'images', name);
    if (fs.existsSync(candidate)) {
      return new Uint8Array(fs.readFileSync(candidate));
    }
    dir = path.dirname(dir);
  }
  throw new Error(`fixture ${name} not found from ${__dirname}`);
}
