/**
 * `@mserve/tracing`: OpenTelemetry traces across gateway HTTP -> enqueue -> worker batch -> webhook delivery, the
 * W3C trace context carried in job data (`trace: {traceparent, tracestate?}`).
 *
 * Off by default and free when off: nothing but `@opentelemetry/api` is loaded, whose no-op tracer makes
 * non-recording spans and whose no-op propagator injects nothing. Turned on by the standard variables:
 * `OTEL_TRACES_EXPORTER=otlp` (OTLP/HTTP JSON to `OTEL_EXPORTER_OTLP_ENDPOINT`, default http://localhost:4318,
 * or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_SERVICE_NAME` (default: the app's name), `OTEL_SDK_DISABLED=true`
 * (off whatever else says), and the batch processor's `OTEL_BSP_SCHEDULE_DELAY` and friends.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, context, trace };
export type { Context, Span };

/** The trace context carried in a job's data (W3C Trace Context header values). */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** A started tracing setup. */
export interface Tracing {
  enabled: boolean;
  /** Flushes pending spans and stops exporting (call on graceful shutdown). */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for traces (`OTEL_TRACES_EXPORTER` names otlp; `OTEL_SDK_DISABLED` is not true). */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').toLowerCase() === 'true') return false;
  return (env['OTEL_TRACES_EXPORTER'] ?? 'none')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .includes('otlp');
}

/**
 * Starts exporting traces of `serviceName` when the environment asks for it: registers a tracer provider with an
 * OTLP/HTTP exporter behind a batch processor, AsyncLocalStorage context and the W3C propagator. The SDK is
 * loaded only then.
 */
export async function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  if (!tracingRequested(env)) return { enabled: false, shutdown: async () => undefined };
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return { enabled: true, shutdown: () => provider.shutdown() };
}

/** The project's tracer (a no-op one while tracing is off). */
export function tracer() {
  return trace.getTracer('mserve');
}

/** The context a carrier describes (the root context when it carries none). */
export function extractContext(carrier: TraceCarrier | Record<string, unknown> | undefined): Context {
  if (!carrier) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** The carrier of `ctx` (the active context by default); undefined when there is nothing to carry. */
export function injectContext(
  ctx: Context = context.active(),
): { traceparent: string; tracestate?: string } | undefined {
  const out: Record<string, string> = {};
  propagation.inject(ctx, out);
  if (!out['traceparent']) return undefined;
  return { traceparent: out['traceparent'], ...(out['tracestate'] ? { tracestate: out['tracestate'] } : {}) };
}

/**
 * Runs `fn` in a span named `name` (child of `parent`, default the active context), ending it when `fn` settles
 * and recording an error as the span's status.
 */
export async function inSpan<T>(
  name: string,
  opts: { kind?: SpanKind; attributes?: Attributes; parent?: Context; startTime?: number },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = opts.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    {
      ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
      ...(opts.attributes ? { attributes: opts.attributes } : {}),
      ...(opts.startTime !== undefined ? { startTime: opts.startTime } : {}),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (e) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    span.end();
  }
}

/** Records a finished interval (e.g. the queue wait, from enqueue to batch start) as a span under `parent`. */
export function recordSpan(
  name: string,
  parent: Context,
  startMs: number,
  endMs: number,
  attributes: Attributes = {},
): void {
  tracer().startSpan(name, { startTime: startMs, attributes }, parent).end(Math.max(startMs, endMs));
}
