import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppDeps } from '../../app-deps.js';
import { AppError } from '../../http/errors.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { messages } from '../../web/messages.js';
import { auditActorOf } from '../auth/auth.middleware.js';
import type { ActorRef } from '../auth/policy.js';
import { allowedExtensions, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_OWNER } from './attachment.files.js';
import { actorOf, downloadHeaders, uploadLimit } from './attachment.routes.js';
import { type AttachmentList, type OwnerKind, uploadFormFields } from './attachment.schemas.js';
import {
  deleteAttachment,
  listAttachmentsFor,
  openAttachment,
  uploadAttachment,
} from './attachment.usecases.js';

const t = messages.attachments;
const accept = allowedExtensions.map((e) => `.${e}`).join(',');

/**
 * The attachments block of an owner's page: the list with download links and, for whoever may change
 * them now, delete buttons and an upload form (multipart; CSRF-safe like every form here: the auth
 * middleware refuses cross-site posts). An async component, so a page inserts it with one line:
 *
 * @example
 *   <Attachments deps={deps} c={c} kind="challenge" id={row.id} />
 */
export async function Attachments(
  props: { deps: AppDeps; kind: OwnerKind; id: string } & (
    | { c: Context }
    | { actor: ActorRef | null /** the page to return to after a form post */; back: string }
  ),
) {
  const actor = 'c' in props ? actorOf(props.c) : props.actor;
  const back = 'c' in props ? props.c.req.path : props.back;
  let list: AttachmentList;
  try {
    list = await listAttachmentsFor(props.deps, actor, props.kind, props.id);
  } catch (error) {
    // The page already decided the owner is visible; a hidden owner here just means "no block".
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  }
  if (list.items.length === 0 && !list.can_change) return null;
  return (
    <section class="attachments" data-attachments={props.kind}>
      <h2>{t.title}</h2>
      {list.items.length === 0 ? (
        <p class="meta">{t.none}</p>
      ) : (
        <ul>
          {list.items.map((a) => (
            <li data-attachment-id={a.id}>
              <a href={`/attachments/${a.id}`} download={a.file_name}>
                {a.file_name}
              </a>{' '}
              <span class="meta">
                {t.size(a.byte_size)}
                {a.uploaded_by && ` · ${t.uploadedBy} ${a.uploaded_by.display_name}`}
              </span>
              {list.can_change && (
                <form method="post" action={`/attachments/${a.id}/delete`} class="inline">
                  <input type="hidden" name="back" value={back} />
                  <button type="submit">{t.remove}</button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {list.can_change && list.items.length < MAX_ATTACHMENTS_PER_OWNER && (
        <form method="post" action="/attachments" enctype="multipart/form-data">
          <input type="hidden" name="owner_kind" value={props.kind} />
          <input type="hidden" name="owner_id" value={props.id} />
          <input type="hidden" name="back" value={back} />
          <label>
            {t.file} <input type="file" name="file" accept={accept} required />
          </label>{' '}
          <button type="submit">{t.upload}</button>
          <p class="meta">{t.hint(MAX_ATTACHMENT_BYTES / 1024 / 1024, MAX_ATTACHMENTS_PER_OWNER)}</p>
        </form>
      )}
    </section>
  );
}

/** A same-site path to return to after a form post (never another origin: open-redirect safe). */
function backTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 300 ? value : '/';
}

/** Page routes: download by link, upload and delete by form, then back to the owner's page. */
export function attachmentPages(deps: AppDeps) {
  return new Hono()
    .get('/attachments/:id{[0-9a-fA-F-]{36}}', async (c) => {
      const { row, object } = await openAttachment(deps, actorOf(c), c.req.param('id'));
      return c.body(object.body, 200, downloadHeaders(row));
    })
    .post('/attachments', uploadLimit, async (c) => {
      const actor = actorOf(c);
      if (!actor) throw new AppError('UNAUTHENTICATED');
      const body = await c.req.parseBody();
      const fields = uploadFormFields.safeParse({
        owner_kind: body.owner_kind,
        owner_id: body.owner_id,
        back: typeof body.back === 'string' && body.back !== '' ? body.back : undefined,
      });
      if (!fields.success)
        throw new AppError('VALIDATION_FAILED', { fields: zodIssuesToFields(fields.error.issues) });
      const file = body.file;
      if (!(file instanceof File))
        throw new AppError('VALIDATION_FAILED', { fields: [{ field: 'file', reason: t.refused.noFile }] });
      await uploadAttachment(
        deps,
        actor,
        fields.data.owner_kind,
        fields.data.owner_id,
        file,
        auditActorOf(c, deps),
      );
      return c.redirect(backTo(fields.data.back), 303);
    })
    .post('/attachments/:id{[0-9a-fA-F-]{36}}/delete', async (c) => {
      const actor = actorOf(c);
      if (!actor) throw new AppError('UNAUTHENTICATED');
      const body = await c.req.parseBody();
      await deleteAttachment(deps, actor, c.req.param('id'), auditActorOf(c, deps));
      return c.redirect(backTo(body.back), 303);
    });
}
