import { swaggerUI } from '@hono/swagger-ui';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppDeps } from './app-deps.js';
import { apiBodyGuard, MAX_JSON_BODY_BYTES, onlyWithBody } from './http/api-guards.js';
import { AppError, toAppError, toProblem } from './http/errors.js';
import type { AppEnv } from './http/router.js';
import { attachmentPages } from './modules/attachments/attachment.pages.js';
import { attachmentApi, exceptAttachmentUploads } from './modules/attachments/attachment.routes.js';
import { accountPages } from './modules/auth/account.pages.js';
import { accountApi } from './modules/auth/account.routes.js';
import { authenticate } from './modules/auth/auth.middleware.js';
import { bidPages } from './modules/bids/bid.pages.js';
import { bidApi } from './modules/bids/bid.routes.js';
import { capabilityPages } from './modules/capabilities/capability.pages.js';
import { capabilityApi } from './modules/capabilities/capability.routes.js';
import { challengeEngagementApi } from './modules/challenges/challenge.engagement.routes.js';
import { challengePages } from './modules/challenges/challenge.pages.js';
import { challengeApi } from './modules/challenges/challenge.routes.js';
import { challengeWorkflowPages } from './modules/challenges/challenge.workflow.pages.js';
import { challengeWorkflowApi } from './modules/challenges/challenge.workflow.routes.js';
import { dashboardApi, dashboardPages } from './modules/dashboard/dashboard.pages.js';
import { deliveryApi } from './modules/delivery/delivery.routes.js';
import { evaluationPages } from './modules/evaluation/evaluation.pages.js';
import { evaluationApi } from './modules/evaluation/evaluation.routes.js';
import { expertClaimPages } from './modules/experts/expert.claims.pages.js';
import { expertClaimApi } from './modules/experts/expert.claims.routes.js';
import { expertPages } from './modules/experts/expert.pages.js';
import { expertApi } from './modules/experts/expert.routes.js';
import { exportRoutes } from './modules/exports/export.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { importPages } from './modules/imports/import.pages.js';
import { alertPages } from './modules/matching/alerts.pages.js';
import { alertApi } from './modules/matching/alerts.routes.js';
import { forYouPages } from './modules/matching/for-you.pages.js';
import { recommendationApi } from './modules/matching/recommendation.routes.js';
import { notificationApi } from './modules/notifications/notification.routes.js';
import { unreadBadge } from './modules/notifications/unread-badge.js';
import { organisationPages } from './modules/organisations/organisation.pages.js';
import { organisationApi } from './modules/organisations/organisation.routes.js';
import { referenceApi } from './modules/reference/reference.routes.js';
import { societyPages } from './modules/societies/society.pages.js';
import { societyApi } from './modules/societies/society.routes.js';
import { stationPages } from './modules/stations/station.pages.js';
import { stationApi } from './modules/stations/station.routes.js';
import { ErrorPage } from './web/error-page.js';
import { PICKER_SCRIPT_PATH, pageAllowsScript, pickerScript } from './web/picker.js';
import { faviconSvg, siteCss } from './web/site.css.js';

export type { AppDeps } from './app-deps.js';

/**
 * The one app: API under /api/v1 (OpenAPI at /api/openapi.json, docs at /api/docs), server-rendered
 * Chinese pages, health endpoints. Runtime-neutral: no `node:` imports, no `process`; the Node server
 * and the Workers entry both call this with their own dependencies.
 *
 * @example
 *   const app = createApp({ db, search, indexes, reference, logger, clock: () => new Date(), ... });
 *   const res = await app.request('/api/v1/challenges');
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    deps.logger.info('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  // Pages use no script except the picker file on station forms, so the CSP forbids it elsewhere; only the API docs page needs swagger-ui's
  // bundle and its inline start-up script. Framing is refused everywhere (clickjacking).
  const strictHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // Only the form pages with pickers load one first-party file (src/web/picker.tsx); never inline.
      scriptSrc: [(c) => (pageAllowsScript(c.req.path) ? "'self'" : "'none'")],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'strict-origin-when-cross-origin',
  });
  const docsHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'", 'https://cdn.jsdelivr.net'],
      styleSrc: ["'self'", "'unsafe-inline'", 'https://cdn.jsdelivr.net'],
      imgSrc: ["'self'", 'data:'],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'strict-origin-when-cross-origin',
  });
  app.use('*', (c, next) => (c.req.path === '/api/docs' ? docsHeaders(c, next) : strictHeaders(c, next)));

  // Who is calling, CSRF, and the route-level permission matrix (src/modules/auth/policy.ts).
  app.use('*', authenticate(deps));

  app.route('/', healthRoutes(deps));
  app.get('/assets/site.css', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(siteCss, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get(PICKER_SCRIPT_PATH, (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(pickerScript, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  app.get('/assets/favicon.svg', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(faviconSvg, 200, { 'Content-Type': 'image/svg+xml' });
  });
  // The header's unread count for signed-in page views (after the assets above, which answer first).
  app.use('*', unreadBadge(deps));

  // Streams are cut at the limit instead of being buffered whole first.
  // Attachment uploads are multipart and bigger; their routes apply their own limit.
  app.use(
    '/api/*',
    exceptAttachmentUploads(
      onlyWithBody(
        bodyLimit({
          maxSize: MAX_JSON_BODY_BYTES,
          onError: () => {
            throw new AppError('PAYLOAD_TOO_LARGE');
          },
        }),
      ),
    ),
  );
  app.use('/api/*', exceptAttachmentUploads(apiBodyGuard));
  const api = challengeApi(deps);
  api.route('/', referenceApi(deps));
  api.route('/', accountApi(deps));
  api.route('/', recommendationApi(deps));
  api.route('/', alertApi(deps));
  api.route('/', organisationApi(deps));
  api.route('/', challengeWorkflowApi(deps));
  api.route('/', challengeEngagementApi(deps));
  api.route('/', bidApi(deps));
  api.route('/', deliveryApi(deps));
  api.route('/', notificationApi(deps));
  api.route('/', stationApi(deps));
  api.route('/', evaluationApi(deps));
  api.route('/', dashboardApi(deps));
  api.route('/', expertApi(deps));
  api.route('/', expertClaimApi(deps));
  api.route('/', societyApi(deps));
  api.route('/', capabilityApi(deps));
  api.route('/', attachmentApi(deps));
  app.route('/api/v1', api);
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: '揭榜 · Jiebang API',
      version: '1.0.0',
      description:
        '贵州省科协科技需求揭榜挂帅平台 API。错误统一为 RFC 9457 problem+json（含稳定的 code 与字段级 errors）；列表统一分页（page, per_page）。',
    },
  });
  app.get(
    '/api/docs',
    swaggerUI({
      url: '/api/openapi.json',
      title: '揭榜 · Jiebang API 文档',
      ...(deps.docsAssetsBaseUrl ? { baseUrl: deps.docsAssetsBaseUrl } : {}),
    }),
  );

  // Before the challenge pages: /challenges/export.xlsx must not be read as /challenges/:id.
  app.route('/', exportRoutes(deps));
  app.route('/', challengePages(deps));
  app.route('/', accountPages(deps));
  app.route('/', organisationPages(deps));
  app.route('/', challengeWorkflowPages(deps));
  app.route('/', forYouPages(deps));
  app.route('/', alertPages(deps));
  app.route('/', bidPages(deps));
  app.route('/', expertPages(deps));
  app.route('/', expertClaimPages(deps));
  app.route('/', societyPages(deps));
  app.route('/', capabilityPages(deps));
  app.route('/', importPages(deps));
  app.route('/', stationPages(deps));
  app.route('/', evaluationPages(deps));
  app.route('/', dashboardPages(deps));
  app.route('/', attachmentPages(deps));

  app.notFound(() => {
    throw new AppError('NOT_FOUND');
  });

  app.onError((thrown, c) => {
    const error = thrown instanceof HTTPException ? httpExceptionToAppError(thrown) : toAppError(thrown);
    const requestIdValue = c.get('requestId') ?? '';
    if (error.status >= 500) {
      deps.logger.error('request failed', {
        request_id: requestIdValue,
        code: error.code,
        error: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown),
        cause: error.cause instanceof Error ? error.cause.message : undefined,
      });
    }
    if (error.retryAfterSeconds) c.header('Retry-After', String(error.retryAfterSeconds));
    if (c.req.path.startsWith('/api/')) {
      return c.body(JSON.stringify(toProblem(error, c.req.path, requestIdValue)), error.status as 400, {
        'Content-Type': 'application/problem+json; charset=utf-8',
      });
    }
    return c.html(<ErrorPage error={error} requestId={requestIdValue} />, error.status as 400);
  });

  return app;
}

function httpExceptionToAppError(exception: HTTPException): AppError {
  if (exception.status === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (exception.status === 400 && /json/i.test(exception.message)) return new AppError('MALFORMED_JSON');
  if (exception.status === 404) return new AppError('NOT_FOUND');
  if (exception.status === 405) return new AppError('METHOD_NOT_ALLOWED');
  return new AppError('VALIDATION_FAILED', { detail: exception.message });
}
