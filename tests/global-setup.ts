export default function setup(): void {
  process.env.LOG_LEVEL ??= 'silent';
}
