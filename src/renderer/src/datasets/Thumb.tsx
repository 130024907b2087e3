import { useEffect, useRef } from 'react'

/** One image, drawn from its base64 uint8 pixels (HxWxC, 1 or 3 channels), scaled up crisply. */
export function Thumb({
  pixels,
  height,
  width,
  channels,
  label,
}: {
  pixels: string
  height: number
  width: number
  channels: number
  label: string
}) {
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const ctx = ref.current?.getContext('2d')
    if (!ctx) return
    const bytes = Uint8Array.from(atob(pixels), (c) => c.charCodeAt(0))
    const img = ctx.createImageData(width, height)
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) img.data[i * 4 + c] = bytes[i * channels + (channels === 3 ? c : 0)]!
      img.data[i * 4 + 3] = 255
    }
    ctx.putImageData(img, 0, 0)
  }, [pixels, height, width, channels])
  return (
    <figure className="thumb">
      <canvas ref={ref} width={width} height={height} aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  )
}
