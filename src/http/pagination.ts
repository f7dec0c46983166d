import { z } from '@hono/zod-openapi';

/** Uniform pagination for every list endpoint: `?page=&per_page=` in, `pagination` object out. */
export const paginationQuery = z.object({
  page: z.coerce.number().int().min(1).max(1000).default(1).openapi({ example: 1 }),
  per_page: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
});

export const paginationSchema = z
  .object({
    page: z.number().int(),
    per_page: z.number().int(),
    total: z.number().int(),
    total_pages: z.number().int(),
  })
  .openapi('Pagination');

export function paginationOf(page: number, perPage: number, total: number) {
  return { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) };
}

export function pageWindow(page: number, perPage: number) {
  return { offset: (page - 1) * perPage, limit: perPage };
}
