// Starts Swagger UI on /_mock/docs from a file (no inline script, so CSP script-src 'self'
// holds). The specs to offer come from the page's data-specs attribute.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    urls: JSON.parse(root.getAttribute("data-specs")),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    validatorUrl: null,  // the default would call a public validator: stay offline
    tryItOutEnabled: false,
  });
});
