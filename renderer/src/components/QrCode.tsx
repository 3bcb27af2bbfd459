import { useMemo } from 'react';
import { encode } from 'uqr';

interface Props {
  /** The text the code carries (for a safety number: ContactView.safetyQr, base64). */
  value: string;
  label: string;
}

/**
 * A QR code drawn as one SVG path of unit squares: crisp at any scale, no canvas, no inline
 * style. Always dark modules on a light quiet zone, so it scans in dark mode too.
 */
export function QrCode({ value, label }: Props) {
  const { size, path } = useMemo(() => {
    const qr = encode(value, { ecc: 'M', border: 2 });
    let d = '';
    qr.data.forEach((row, y) =>
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`;
      }),
    );
    return { size: qr.size, path: d };
  }, [value]);

  return (
    <svg className="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect width={size} height={size} className="qr__light" />
      <path d={path} className="qr__dark" />
    </svg>
  );
}
