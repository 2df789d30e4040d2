interface Props {
  perSecond: number[];
}

const WIDTH = 240;
const HEIGHT = 48;

/** Bars of events stored in each second of the last minute, oldest on the left. */
export function StoredChart({ perSecond }: Props) {
  const max = Math.max(1, ...perSecond);
  const bar = WIDTH / Math.max(1, perSecond.length);
  return (
    <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="events stored per second, last minute">
      {perSecond.map((n, i) => {
        const h = (n / max) * HEIGHT;
        return <rect key={i} x={i * bar} y={HEIGHT - h} width={Math.max(1, bar - 1)} height={h} />;
      })}
    </svg>
  );
}
