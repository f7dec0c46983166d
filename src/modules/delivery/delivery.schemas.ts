import { z } from '@hono/zod-openapi';
import { messages } from '../../web/messages.js';

/** Delivery after the award: milestones, submissions with evidence, decisions, final acceptance, ratings. */
const noNul = (s: string) => !s.includes('\u0000');

export const milestoneIdParam = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '5d2c7f1e-8a53-4f0f-9d0e-0a8f1c1d2e3f' }),
});

export const submissionBody = z
  .object({ evidence: z.string().min(2).max(10000).refine(noNul, messages.validation.nulByte) })
  .strict()
  .openapi('MilestoneSubmission');

export const milestoneDecisionBody = z
  .object({
    decision: z.enum(['accept', 'return']),
    reason: z.string().max(2000).refine(noNul, messages.validation.nulByte).optional(),
  })
  .strict()
  .refine((b) => b.decision === 'accept' || (b.reason ?? '').trim().length >= 2, {
    message: messages.flow.invalid.reasonRequired,
    path: ['reason'],
  })
  .openapi('MilestoneDecision');

export const acceptanceBody = z
  .object({ note: z.string().max(2000).refine(noNul, messages.validation.nulByte).optional() })
  .strict()
  .openapi('FinalAcceptance');

export const ratingBody = z
  .object({
    bid_id: z.uuid(),
    score: z.number().int().min(1).max(5),
    comment: z.string().max(1000).refine(noNul, messages.validation.nulByte).default(''),
  })
  .strict()
  .openapi('RatingInput');

export const milestoneSchema = z
  .object({
    id: z.uuid(),
    bid_id: z.uuid(),
    seq: z.number().int(),
    title: z.string(),
    tranche_percent: z.number().int(),
    status: z.enum(['pending', 'submitted', 'accepted', 'returned']),
    submissions: z.array(
      z.object({
        id: z.uuid(),
        evidence: z.string(),
        decision: z.enum(['accepted', 'returned']).nullable(),
        decision_reason: z.string().nullable(),
        created_at: z.iso.datetime(),
        decided_at: z.iso.datetime().nullable(),
      }),
    ),
  })
  .openapi('Milestone');

export const milestoneListSchema = z.object({ data: z.array(milestoneSchema) }).openapi('MilestoneList');

export const ratingSchema = z
  .object({
    id: z.uuid(),
    bid_id: z.uuid(),
    direction: z.enum(['enterprise_to_bidder', 'bidder_to_enterprise']),
    score: z.number().int(),
    comment: z.string(),
    created_at: z.iso.datetime(),
  })
  .openapi('Rating');
