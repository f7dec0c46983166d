import { messages } from '../../web/messages.js';
import type { questionsFor } from './challenge.engagement.js';

/** The public challenge page's 揭榜 and 答疑 section: bid link, answered questions, ask form. */
export function EngagementSection(props: {
  challengeId: string;
  status: string;
  questions: Awaited<ReturnType<typeof questionsFor>>;
  role: string | null;
}) {
  const p = messages.flow.pages;
  const open = props.status === 'published';
  return (
    <section class="engagement" id="qa">
      {open && (props.role === 'expert' || props.role === 'society' || props.role === null) && (
        <p>
          <a class="button" href={`/challenges/${props.challengeId}/bid`} data-testid="bid-link">
            {p.bidNow}
          </a>
        </p>
      )}
      <h2>{p.qa}</h2>
      {props.questions.length === 0 && <p class="empty">{p.noQuestions}</p>}
      <dl class="qa">
        {props.questions.map((q) => (
          <>
            <dt>问：{q.question}</dt>
            <dd>{q.answer ? `答：${q.answer}` : '（待回答）'}</dd>
          </>
        ))}
      </dl>
      {props.role !== null && (open || props.status === 'bidding_closed') && (
        <form method="post" action={`/challenges/${props.challengeId}/questions`}>
          <label for="f-question">{p.ask}</label>
          <textarea id="f-question" name="question" rows={2} maxlength={1000} />
          <button type="submit">{p.askButton}</button>
        </form>
      )}
    </section>
  );
}
