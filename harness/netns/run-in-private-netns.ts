// `tsx harness/netns/run-in-private-netns.ts <command> [args...]`: the command in a private
// network namespace (private-netns.ts); exits with its exit code.
import { runInPrivateNetns } from "./private-netns.js";

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error("usage: run-in-private-netns.ts <command> [args...]");
  process.exit(2);
}
process.exit(await runInPrivateNetns(command));
