import { createServer, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createSearchClient } from '../../src/search/client.js';

describe('the Meilisearch client', () => {
  it('never asks for compressed responses (gzip stalls each search ~40 ms on reused connections)', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          hits: [],
          query: '',
          processingTimeMs: 0,
          limit: 20,
          offset: 0,
          estimatedTotalHits: 0,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await createSearchClient(`http://127.0.0.1:${port}`, 'key').index('challenges').search('辣椒');
    } finally {
      server.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.['accept-encoding']).toBe('identity');
  });
});
