// The names of Netwright's own kernels that code outside the wasm modules runs by name (fused-layers.ts,
// which the hidden trainer window bundles too, must not import the Node-only wasm modules).

/** ReLU's gradient in one pass: dy · step(x) (tfjs: Step, Cast, Multiply). */
export const RELU_GRAD_KERNEL = 'NetwrightReluGrad'

/** ReLU's gradient from a layer's output and, in the same pass, the bias's (its sum over the leading axes). */
export const RELU_GRAD_SUM_KERNEL = 'NetwrightReluGradSum'
