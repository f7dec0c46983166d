import { z } from '@hono/zod-openapi';
import { messages } from '../../web/messages.js';
import { allowedExtensions, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_OWNER } from './attachment.files.js';

/** zod is the single source for the attachment API, the upload form and the OpenAPI document. */
export const ownerKinds = ['challenge', 'bid', 'capability', 'service_record'] as const;
export type OwnerKind = (typeof ownerKinds)[number];

export const attachmentIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '5d6f1c1e-3a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

/** The multipart body: one file in the field `file`. Checked again from the bytes by the use case. */
export const uploadBody = z.object({
  file: z
    .custom<File>((value) => value instanceof File, { message: messages.attachments.refused.noFile })
    .openapi({ type: 'string', format: 'binary', description: '要上传的文件' }),
});

/** The page form: which owner, and the page to return to. */
export const uploadFormFields = z.object({
  owner_kind: z.enum(ownerKinds),
  owner_id: z.uuid(),
  back: z
    .string()
    .regex(/^\/(?![/\\])[^\s]*$/)
    .max(300)
    .optional(),
});

export const attachmentSchema = z
  .object({
    id: z.uuid(),
    file_name: z.string().openapi({ example: '辣椒烘干工艺现状说明.pdf' }),
    content_type: z.string().openapi({ example: 'application/pdf' }),
    byte_size: z.number().int(),
    sha256: z.string().openapi({ description: '文件内容的 SHA-256（十六进制），下载后可自行校验' }),
    created_at: z.string(),
    download_url: z.string().openapi({ example: '/api/v1/attachments/5d6f1c1e-3a53-4f0f-9d0e-0a8f1c1d2e3f' }),
    uploaded_by: z
      .object({ user_id: z.uuid(), display_name: z.string() })
      .nullable()
      .openapi({ description: '仅所属方与科协管理员可见（企业可选择公开时隐藏名称）' }),
  })
  .openapi('Attachment');

export const attachmentListSchema = z
  .object({
    items: z.array(attachmentSchema),
    can_change: z.boolean().openapi({ description: '当前用户此时能否上传或删除附件' }),
    limits: z.object({
      max_bytes: z.number().int().openapi({ example: MAX_ATTACHMENT_BYTES }),
      max_files: z.number().int().openapi({ example: MAX_ATTACHMENTS_PER_OWNER }),
      extensions: z.array(z.string()).openapi({ example: allowedExtensions }),
    }),
  })
  .openapi('AttachmentList');

export type AttachmentView = z.infer<typeof attachmentSchema>;
export type AttachmentList = z.infer<typeof attachmentListSchema>;
