// A test build only (asconfig target "trap-test", build/trap-test.wasm): the filter, except that a
// request carrying the trigger header traps the VM in the middle of traffic, as a bug would. It
// shows what each failStrategy does with a VM that fails at run time; build/filter.wasm never
// holds it (test/unit/module.test.ts checks).
import { equalsBytes } from "./bytes";
import { FilterHeadersStatus, HeaderMapType, RootContext, registerRootContext, utf8 } from "./proxy-wasm";
import { VersionRouterRoot } from "./version-router";

export * from "./proxy-wasm/entry";

const TRIGGER = utf8("x-version-router-test-trap");

class TrapOnTrigger extends VersionRouterRoot {
  onRequestHeaders(streamId: u32, requestHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
    const cursor = this.cursor;
    if (cursor.load(HeaderMapType.RequestHeaders)) {
      while (cursor.next()) {
        if (equalsBytes(cursor.keyData, cursor.keySize, TRIGGER)) unreachable();
      }
      cursor.release();
    }
    return super.onRequestHeaders(streamId, requestHeaderCount, endOfStream);
  }
}

registerRootContext((id: u32): RootContext => new TrapOnTrigger(id));
