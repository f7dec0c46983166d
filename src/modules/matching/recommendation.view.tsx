import { messages } from '../../web/messages.js';
import type { RecommendationsResponse } from './recommendation.schemas.js';
import type { InviteContext } from './recommendation.usecases.js';

const m = messages.matching;

function Reasons({ reasons }: { reasons: string[] }) {
  if (reasons.length === 0) return null;
  return (
    <ul class="reasons">
      {reasons.map((r) => (
        <li>{r}</li>
      ))}
    </ul>
  );
}

const score = (s: number) => (s * 100).toFixed(0);

/**
 * 邀请揭榜 as a plain form (the CSP allows no script): it posts to the enterprise's invitation
 * route, which checks ownership and state again and records the invitation.
 */
function InviteButton(props: {
  invite: InviteContext;
  field: 'expert_profile_id' | 'organisation_id';
  id: string;
  name: string;
  invited: boolean;
  invitable: boolean;
  notInvitableHint: string;
}) {
  const bidding = (
    props.field === 'expert_profile_id' ? props.invite.biddingExperts : props.invite.biddingOrganisations
  ).has(props.id);
  if (bidding)
    return (
      <span class="badge" data-testid="already-bid">
        {m.alreadyBid}
      </span>
    );
  if (props.invited)
    return (
      <span class="badge" data-testid="invited">
        {m.invited}
      </span>
    );
  if (!props.invitable) return <span class="meta">{props.notInvitableHint}</span>;
  return (
    <form
      method="post"
      action={`/workspace/challenges/${props.invite.challengeId}/invitations`}
      class="inline"
    >
      <input type="hidden" name={props.field} value={props.id} />
      <button type="submit" aria-label={`${m.invite}：${props.name}`}>
        {m.invite}
      </button>
    </form>
  );
}

/** 推荐专家 / 推荐学会·服务团 / 相关成果 on a challenge page, each card with its score and reasons. */
export function RecommendationsSection({
  recommendations: r,
  invite = null,
}: {
  recommendations: RecommendationsResponse;
  /** Present for the posting enterprise while the challenge is open: adds 邀请揭榜 to each card. */
  invite?: InviteContext | null;
}) {
  return (
    <section class="recommendations" data-testid="recommendations">
      <h2>{m.title}</h2>
      <p class="meta">{m.intro}</p>
      <h3>{m.experts}</h3>
      {r.experts.length === 0 ? (
        <p class="empty">{m.none}</p>
      ) : (
        <ol class="cards" data-testid="recommended-experts">
          {r.experts.map((e) => (
            <li class="card" data-testid="recommended-expert">
              <a href={`/experts/${e.id}`}>{e.name}</a>{' '}
              <span class="meta">{[e.title, e.affiliation].filter(Boolean).join(' · ')}</span>
              <span class="score" title={m.scoreHint}>
                {m.score} {score(e.score)}
              </span>
              {e.availability !== 'available' && <span class="badge">{m.availability[e.availability]}</span>}
              <Reasons reasons={e.reasons} />
              {invite && (
                <InviteButton
                  invite={invite}
                  field="expert_profile_id"
                  id={e.id}
                  name={e.name}
                  invited={invite.invitedExperts.has(e.id)}
                  invitable={e.registered}
                  notInvitableHint={m.inviteNeedsAccount}
                />
              )}
            </li>
          ))}
        </ol>
      )}
      <h3>{m.societies}</h3>
      {r.societies.length === 0 ? (
        <p class="empty">{m.none}</p>
      ) : (
        <ol class="cards" data-testid="recommended-societies">
          {r.societies.map((s) => (
            <li class="card">
              <a href={`/societies/${s.id}`}>{s.name}</a>
              <span class="score" title={m.scoreHint}>
                {m.score} {score(s.score)}
              </span>
              {s.teams.length > 0 && (
                <span class="meta">
                  {m.teams}：{s.teams.map((t) => t.name).join('、')}
                </span>
              )}
              <Reasons reasons={s.reasons} />
              {invite && s.verified && (
                <InviteButton
                  invite={invite}
                  field="organisation_id"
                  id={s.id}
                  name={s.name}
                  invited={invite.invitedOrganisations.has(s.id)}
                  invitable
                  notInvitableHint=""
                />
              )}
            </li>
          ))}
        </ol>
      )}
      <h3>{m.capabilities}</h3>
      {r.capabilities.length === 0 ? (
        <p class="empty">{m.none}</p>
      ) : (
        <ol class="cards" data-testid="recommended-capabilities">
          {r.capabilities.map((c) => (
            <li class="card">
              <a href={`/capabilities/${c.id}`}>{c.name}</a>{' '}
              <span class="meta">
                {m.capabilityKinds[c.kind] ?? c.kind} · {c.owner_name}
              </span>
              <span class="score" title={m.scoreHint}>
                {m.score} {score(c.score)}
              </span>
              <Reasons reasons={c.reasons} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
