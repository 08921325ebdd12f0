/**
 * Imported first by the drill's and the benchmarks' entry points, so their output is only theirs.
 *
 * The AWS SDK warns once per process, under Node < 22, that its releases after January 2027 will
 * need Node 22 (NodeVersionSupportWarning). The drill runs the Lambdas' code in the developer's own
 * Node, which says nothing about the Lambdas: they run on nodejs22.x, where the warning never fires.
 * So the tools turn it off for their own process, through the SDK's documented switch; a value the
 * user set wins. The Lambda code does not touch it (lambda/ keeps the SDK's default).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export {};
