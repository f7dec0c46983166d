import { z } from '@hono/zod-openapi';
import { messages } from '../../web/messages.js';
import { creditCodeProblem } from './credit-code.js';

const m = messages.organisation;
const noNul = (s: string) => !s.includes('\u0000');

/** 统一社会信用代码, upper-cased and checked (length, charset, check character) with a precise reason. */
export const creditCodeField = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .superRefine((code, ctx) => {
    const problem = creditCodeProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', message: m.creditCodeProblems[problem] });
  })
  .openapi({ description: '统一社会信用代码（18 位，含校验位）', example: '915203283K2Y7M5D6W' });

export const organisationBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(2)
      .max(100)
      .refine(noNul, messages.validation.nulByte)
      .openapi({ example: '贵州黔茶科技有限公司' }),
    credit_code: creditCodeField,
    region_code: z
      .string()
      .regex(/^52[0-9]{4}$/, { error: m.invalidRegion })
      .optional()
      .openapi({ example: '520328' }),
    description: z.string().trim().max(2000).refine(noNul, messages.validation.nulByte).optional(),
  })
  .strict()
  .openapi('OrganisationCreate');

export const organisationPatch = organisationBody.partial().strict().openapi('OrganisationUpdate');

export const organisationIdParam = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
});
export const memberParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  userId: z.uuid().openapi({ param: { name: 'userId', in: 'path' } }),
});

export const memberRoleBody = z
  .object({ role: z.enum(['admin', 'member']) })
  .strict()
  .openapi('MemberRole');

export const invitationBody = z
  .object({
    email: z
      .string()
      .trim()
      .max(254)
      .pipe(z.email({ error: messages.account.invalidEmail })),
    role: z.enum(['admin', 'member']).default('member'),
  })
  .strict()
  .openapi('InvitationCreate');

export const acceptInvitationBody = z.object({ token: z.string().min(1).max(200) }).strict();

export const verificationBody = z
  .object({
    decision: z.enum(['verified', 'rejected']),
    reason: z.string().trim().max(500).refine(noNul, messages.validation.nulByte).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.decision === 'rejected' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: m.reasonRequired });
  })
  .openapi('VerificationDecision');

export const queueQuery = z
  .object({ status: z.enum(['pending', 'verified', 'rejected']).default('pending') })
  .strict();

export const organisationSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['enterprise', 'society', 'other']),
    name: z.string(),
    credit_code: z.string().nullable(),
    region_code: z.string().nullable(),
    description: z.string(),
    verification_status: z.enum(['pending', 'verified', 'rejected']),
    verification_reason: z.string().nullable().openapi({ description: '仅成员与管理员可见' }),
    my_role: z.enum(['admin', 'member']).nullable(),
    created_at: z.iso.datetime(),
  })
  .openapi('Organisation');

export const memberSchema = z
  .object({
    user_id: z.uuid(),
    display_name: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'member']),
  })
  .openapi('OrganisationMember');

export const invitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'member']),
    expires_at: z.iso.datetime(),
  })
  .openapi('Invitation');
