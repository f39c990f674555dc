/**
 * `conv_general_dilated` on the GPU as a direct convolution: one thread per
 * output element walks its group's input features and kernel taps, skipping
 * taps that land in padding or between dilated input elements. The geometry
 * (shapes, strides, padding, dilations, groups, dimension numbers) is compiled
 * into the shader as constants, one pipeline per convolution signature, so the
 * loops have static bounds and no parameter block limits the rank.
 */
import type { AbstractValue, Params } from "@diffect/core"
import { Convolution, Shape, UnsupportedDTypeError } from "@diffect/core"
import type { Runtime, Storage } from "../runtime.js"
import { shader, storageType } from "../shader.js"

const source = (
  la: AbstractValue,
  ra: AbstractValue,
  params: Params<"conv_general_dilated">,
  oa: AbstractValue,
  workgroupSize: number
): string => {
  const g = Convolution.convGeometry(la, ra, params)
  const dn = params.dimensionNumbers
  const t = storageType(oa.dtype)
  const zero = t === "f32" ? "0.0" : t === "i32" ? "0i" : "0u"
  const lStr = Shape.stridesOf(la.shape)
  const rStr = Shape.stridesOf(ra.shape)
  const oStr = Shape.stridesOf(oa.shape)
  const groups = params.featureGroupCount * params.batchGroupCount
  const og = g.o / groups
  const ns = g.inSpatial.length
  // The output coordinates of `tid` along each canonical dimension.
  const coord = (d: number) => `((tid / ${oStr[d]!}u) % ${oa.shape[d]!}u)`
  // The running lhs and rhs offsets after spatial dimension d (-1: the feature's base).
  const at = (side: "l" | "r", d: number) => (d < 0 ? `${side}_base` : `${side}${d}`)
  const spatial = Array.from({ length: ns }, (_, d) => {
    const lo = params.padding[d]![0]
    const dil = params.lhsDilation[d]!
    return `
    for (var k${d} = 0i; k${d} < ${g.kernelSpatial[d]!}i; k${d} = k${d} + 1i) {
      let q${d} = i32(${coord(dn.outSpec[2 + d]!)}) * ${params.windowStrides[d]!}i + k${d} * ${params
      .rhsDilation[d]!}i - (${lo}i);
      if (q${d} < 0i || q${d} % ${dil}i != 0i || q${d} / ${dil}i >= ${g.inSpatial[d]!}i) { continue; }
      let l${d} = ${at("l", d - 1)} + u32(q${d} / ${dil}i) * ${lStr[dn.lhsSpec[2 + d]!]!}u;
      let r${d} = ${at("r", d - 1)} + u32(k${d}) * ${rStr[dn.rhsSpec[2 + d]!]!}u;`
  }).join("")
  const close = "\n    }".repeat(ns)
  return shader({
    inputs: [t, t],
    output: t,
    workgroupSize,
    body: `  if (tid >= ${Shape.sizeOf(oa.shape)}u) { return; }
  let nb = ${coord(dn.outSpec[0]!)};
  let o = ${coord(dn.outSpec[1]!)};
  let grp = o / ${og}u;
  let batch = ${params.batchGroupCount > 1 ? `grp * ${g.outBatch}u + nb` : "nb"};
  let feature0 = ${params.featureGroupCount > 1 ? `grp * ${g.i}u` : "0u"};
  var acc: ${t} = ${zero};
  for (var ii = 0u; ii < ${g.i}u; ii = ii + 1u) {
    let l_base = batch * ${lStr[dn.lhsSpec[0]!]!}u + (feature0 + ii) * ${lStr[dn.lhsSpec[1]!]!}u;
    let r_base = o * ${rStr[dn.rhsSpec[0]!]!}u + ii * ${rStr[dn.rhsSpec[1]!]!}u;${spatial}
      acc = acc + in0[${at("l", ns - 1)}] * in1[${at("r", ns - 1)}];${close}
  }
  out[tid] = acc;`
  })
}

/** `conv_general_dilated(lhs, rhs)`: float32 and 32-bit integers. */
export const convGeneralDilated = (
  runtime: Runtime,
  lhs: Storage,
  rhs: Storage,
  la: AbstractValue,
  ra: AbstractValue,
  params: Params<"conv_general_dilated">,
  oa: AbstractValue
): Storage => {
  const dtype = oa.dtype
  if (dtype !== "float32" && dtype !== "int32" && dtype !== "uint32") {
    throw new UnsupportedDTypeError({ backend: "webgpu", dtype })
  }
  const size = Shape.sizeOf(oa.shape)
  const out = runtime.allocate(size * 4)
  if (out.gpu === undefined) return out
  const key = `conv:${dtype}:${la.shape.join("x")}:${ra.shape.join("x")}:${JSON.stringify(params)}`
  const kernel = runtime.kernel(key, 2, () => source(la, ra, params, oa, runtime.workgroupSize))
  runtime.dispatch(
    kernel,
    [runtime.bind(lhs), runtime.bind(rhs)],
    out.gpu,
    [0, 0],
    Math.ceil(size / runtime.workgroupSize)
  )
  return out
}
