import { z } from '@hono/zod-openapi';
import { messages } from '../../web/messages.js';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './password.js';

/** zod is the single source: API bodies, HTML forms, responses and OpenAPI all use these. */
const m = messages.account;
const noNul = (s: string) => !s.includes('\u0000');

export const emailField = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: m.invalidEmail }))
  .openapi({ example: 'zhang@qiancha.example' });

export const passwordField = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 4)
  .openapi({ format: 'password', example: '湄潭翠芽-明前采摘2026' });

const displayName = z.string().trim().min(1).max(50).refine(noNul, messages.validation.nulByte);
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 -]{5,20}$/, { error: m.invalidPhone })
  .openapi({ example: '13800000000' });

/** A new password: the context-free rules here; rules needing the email run on the whole object. */
export const newPasswordField = passwordField.superRefine((password, ctx) => {
  const problem = passwordProblem(password);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const signupRoles = ['enterprise', 'expert', 'society'] as const;

export const signupBody = z
  .object({
    email: emailField,
    password: newPasswordField,
    display_name: displayName.openapi({ example: '张经理' }),
    role: z.enum(signupRoles).openapi({ description: '企业 enterprise / 专家 expert / 学会 society' }),
    phone: phone.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const problem = passwordProblem(v.password, { email: v.email, name: v.display_name });
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  })
  .openapi('SignupRequest');

export const loginBody = z
  .object({ email: z.string().trim().min(1).max(254), password: passwordField })
  .strict()
  .openapi('LoginRequest');

export const changePasswordBody = z
  .object({ current_password: passwordField, new_password: passwordField })
  .strict()
  .openapi('ChangePasswordRequest');

export const profileBody = z
  .object({ display_name: displayName.optional(), phone: phone.nullable().optional() })
  .strict()
  .openapi('ProfileUpdate');

export const resetRequestBody = z.object({ email: z.string().trim().min(1).max(254) }).strict();
export const resetConfirmBody = z
  .object({ token: z.string().min(1).max(200), new_password: passwordField })
  .strict()
  .openapi('PasswordResetConfirm');

export const apiTokenBody = z
  .object({
    name: z.string().trim().min(1).max(60).refine(noNul, messages.validation.nulByte),
    scope: z.enum(['read', 'write']).openapi({ description: 'read：只读（GET）；write：读写' }),
  })
  .strict()
  .openapi('ApiTokenCreate');

export const apiTokenIdParam = z.object({
  id: z
    .string()
    .regex(/^[a-z2-7]{16,40}$/)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    display_name: z.string(),
    role: z.enum(['enterprise', 'expert', 'society', 'operator']),
    phone: z.string().nullable(),
    created_at: z.iso.datetime(),
  })
  .openapi('User');

export const sessionSchema = z
  .object({ id: z.string(), created_at: z.iso.datetime(), expires_at: z.iso.datetime() })
  .openapi('Session', { description: '会话信息（从不包含令牌或其哈希）' });

export const sessionResponseSchema = z
  .object({ user: userSchema, session: sessionSchema.nullable() })
  .openapi('SessionResponse');

export const apiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(['read', 'write']),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime().nullable(),
    revoked_at: z.iso.datetime().nullable(),
  })
  .openapi('ApiToken');

export const sessionIdParam = z.object({
  id: z
    .string()
    .regex(/^[a-z2-7]{16,40}$/)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const sessionListEntrySchema = z
  .object({
    id: z.string(),
    created_at: z.iso.datetime(),
    last_seen_at: z.iso.datetime().openapi({ description: '最近活动时间（精确到小时）' }),
    expires_at: z.iso.datetime(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    current: z.boolean().openapi({ description: '是否为发出本请求的会话' }),
  })
  .openapi('SessionListEntry', { description: '登录设备（从不包含令牌或其哈希）' });

export const createdApiTokenSchema = apiTokenSchema
  .extend({ token: z.string().openapi({ description: '仅在创建时返回一次，请妥善保存' }) })
  .openapi('CreatedApiToken');

export type SignupInput = z.infer<typeof signupBody>;
