import type { AppError } from '../http/errors.js';
import { Layout } from './layout.js';
import { messages } from './messages.js';

/** The Chinese page a person sees for any error; the same codes the API returns as problem+json. */
export function ErrorPage({ error, requestId }: { error: AppError; requestId: string }) {
  return (
    <Layout title={messages.errors[error.code]}>
      <div class="error-page" data-error-code={error.code}>
        <h1>{messages.errors[error.code]}</h1>
        {error.message !== messages.errors[error.code] && <p>{error.message}</p>}
        {error.fields.length > 0 && (
          <ul>
            {error.fields.map((f) => (
              <li>
                「{f.field}」：{f.reason}
              </li>
            ))}
          </ul>
        )}
        <p class="meta">
          请求编号 {requestId} · <a href="/">返回首页</a>
        </p>
      </div>
    </Layout>
  );
}
