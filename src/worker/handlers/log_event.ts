/** The default handler: records the event at debug level (one outcome line follows anyway). */
import { logger } from "../../telemetry/log.ts";
import type { Handler } from "../handler.ts";

const log = logger("handler");

/** Logs the event at debug level and succeeds. */
export const logEvent: Handler = (event, context) => {
  if (log.isEnabledFor("debug")) {
    log.debug("Handled {eventType} {eventID} (message {messageId})", {
      ...event,
      eventType: context.eventType,
      eventID: event.eventID ?? null,
      messageId: context.messageId,
    });
  }
  return Promise.resolve();
};
