/* global SwaggerUIBundle, window */
// Swagger UI over the gateway's own OpenAPI document; "Try it out" sends requests to this gateway (same origin).
window.ui = SwaggerUIBundle({
  url: '/docs/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  // No calls to swagger.io's validator: the page talks to this gateway only.
  validatorUrl: null,
});
