import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { commonErrorResponses, notFoundResponse, problemSchema } from '../../http/openapi-responses.js';
import { createRouter } from '../../http/router.js';
import { messages } from '../../web/messages.js';
import { auditActorOf } from '../auth/auth.middleware.js';
import { authErrorResponses, conflictResponse } from '../auth/auth.openapi.js';
import type { ActorRef } from '../auth/policy.js';
import { contentDisposition, MAX_ATTACHMENT_BYTES, MAX_UPLOAD_REQUEST_BYTES } from './attachment.files.js';
import {
  attachmentIdParam,
  attachmentListSchema,
  attachmentSchema,
  type OwnerKind,
  uploadBody,
} from './attachment.schemas.js';
import {
  deleteAttachment,
  listAttachmentsFor,
  openAttachment,
  uploadAttachment,
} from './attachment.usecases.js';

const tags = ['附件 Attachments'];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const errors = { ...commonErrorResponses, ...authErrorResponses, ...notFoundResponse, ...conflictResponse };
const ownerParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '0b8f6c1e-3a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

/** Owner path segment of each owner kind, and what its attachments are. */
const owners: Record<OwnerKind, { segment: string; label: string; visibility: string }> = {
  challenge: {
    segment: 'challenges',
    label: '榜单',
    visibility: '榜单公开后所有人可见；公开前仅发榜企业与科协管理员',
  },
  bid: {
    segment: 'bids',
    label: '揭榜申请',
    visibility: '与申请同样保密：申请方、发榜企业与科协管理员；其他人 404',
  },
  capability: { segment: 'capabilities', label: '成果', visibility: '成果发布后所有人可见' },
  service_record: {
    segment: 'service-records',
    label: '服务记录',
    visibility: '服务佐证：仅学会、依托单位与科协管理员可见',
  },
};

const uploadPath = /^\/api\/v1\/(challenges|bids|capabilities|service-records)\/[^/]+\/attachments\/?$/;

/**
 * The JSON-only guards of /api/* (256 KiB, application/json) skip the multipart upload routes, which
 * apply their own limit ({@link uploadLimit}).
 *
 * @example app.use('/api/*', exceptAttachmentUploads(apiBodyGuard));
 */
export function exceptAttachmentUploads(middleware: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (c.req.method === 'POST' && uploadPath.test(c.req.path) ? next() : middleware(c, next));
}

/** multipart/form-data only, cut at one file's limit plus the envelope (streamed, not buffered first). */
export const uploadLimit: MiddlewareHandler = async (c, next) => {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'multipart/form-data')
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', {
      detail: '上传附件请使用 multipart/form-data，文件放在 file 字段',
    });
  return bodyLimit({
    maxSize: MAX_UPLOAD_REQUEST_BYTES,
    onError: () => {
      throw new AppError('ATTACHMENT_TOO_LARGE', {
        fields: [{ field: 'file', reason: messages.attachments.refused.tooLarge(MAX_ATTACHMENT_BYTES) }],
      });
    },
  })(c, next);
};

export function actorOf(c: Context): ActorRef | null {
  const auth = c.get('auth');
  return auth ? { userId: auth.user.id, role: auth.user.role } : null;
}

function requireActor(c: Context): ActorRef {
  const actor = actorOf(c);
  if (!actor) throw new AppError('UNAUTHENTICATED');
  return actor;
}

/**
 * Headers of every download: always `attachment` (never rendered inline, so an uploaded HTML or SVG
 * can never run in our origin), the stored type with nosniff, and no shared caching of private files.
 */
export function downloadHeaders(row: {
  file_name: string;
  content_type: string;
  byte_size: number;
  sha256: string;
}) {
  return {
    'Content-Type': row.content_type,
    'Content-Length': String(row.byte_size),
    'Content-Disposition': contentDisposition(row.file_name),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'X-Checksum-SHA256': row.sha256,
  };
}

export function attachmentApi(deps: AppDeps) {
  let router = createRouter();
  for (const kind of Object.keys(owners) as OwnerKind[]) {
    const { segment, label, visibility } = owners[kind];
    const upload = createRoute({
      method: 'post',
      path: `/${segment}/{id}/attachments`,
      tags,
      summary: `上传${label}附件（multipart/form-data，字段 file；单个 ≤ 20 MB，每项 ≤ 10 个；按扩展名与文件头双重校验类型）`,
      middleware: [uploadLimit] as const,
      request: {
        params: ownerParam,
        body: { required: true, content: { 'multipart/form-data': { schema: uploadBody } } },
      },
      responses: {
        201: { description: '已上传', ...json(attachmentSchema) },
        ...errors,
        413: problem('文件过大（ATTACHMENT_TOO_LARGE）'),
        415: problem('类型不允许、内容与扩展名不符或可执行文件（ATTACHMENT_TYPE_NOT_ALLOWED）'),
      },
    });
    const list = createRoute({
      method: 'get',
      path: `/${segment}/{id}/attachments`,
      tags,
      summary: `${label}的附件列表（${visibility}）`,
      request: { params: ownerParam },
      responses: { 200: { description: '附件', ...json(attachmentListSchema) }, ...errors },
    });
    router = router
      .openapi(upload, async (c) => {
        const { file } = c.req.valid('form');
        const view = await uploadAttachment(
          deps,
          requireActor(c),
          kind,
          c.req.valid('param').id,
          file,
          auditActorOf(c, deps),
        );
        return c.json(view, 201);
      })
      .openapi(list, async (c) =>
        c.json(await listAttachmentsFor(deps, actorOf(c), kind, c.req.valid('param').id), 200),
      );
  }
  const download = createRoute({
    method: 'get',
    path: '/attachments/{id}',
    tags,
    summary: '下载附件（始终以 attachment 方式下载；权限同所属对象，看不到的一律 404）',
    request: { params: attachmentIdParam },
    responses: {
      200: {
        description: '文件内容；X-Checksum-SHA256 为内容摘要',
        content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      ...errors,
    },
  });
  const remove = createRoute({
    method: 'delete',
    path: '/attachments/{id}',
    tags,
    summary: '删除附件（上传方，且所属对象仍可编辑时）',
    request: { params: attachmentIdParam },
    responses: { 204: { description: '已删除' }, ...errors },
  });
  return router
    .openapi(download, async (c) => {
      const { row, object } = await openAttachment(deps, actorOf(c), c.req.valid('param').id);
      return c.body(object.body, 200, downloadHeaders(row));
    })
    .openapi(remove, async (c) => {
      await deleteAttachment(deps, requireActor(c), c.req.valid('param').id, auditActorOf(c, deps));
      return c.body(null, 204);
    });
}
