import { SpanKind, SpanStatusCode, context, extractContext, trace, tracer } from '@mserve/tracing';
import type { RequestHandler } from 'express';

/**
 * A server span per request, continuing the client's trace when it sends a W3C `traceparent` header; the jobs the
 * request makes carry the span's context to the workers. Installed only while tracing is on (`OTEL_TRACES_EXPORTER`).
 */
export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    const parent = extractContext(req.headers as Record<string, unknown>);
    const span = tracer().startSpan(`${req.method} ${req.path}`, { kind: SpanKind.SERVER }, parent);
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: string }).path)}` : 'unmatched';
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({
        'http.request.method': req.method,
        'http.route': route,
        'http.response.status_code': res.statusCode,
      });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
