# Defaults equal those of src/config/settings.ts (tests/config/consistency_test.ts checks it).

variable "project_id" {
  description = "Google Cloud project that holds the topics and subscriptions (PUBSUB_PROJECT_ID)."
  type        = string
}

variable "topic_name" {
  description = "Topic the events are published to (PUBSUB_TOPIC)."
  type        = string
  default     = "payment-method-created-topic"
}

variable "subscription_name" {
  description = "Subscription the worker consumes (PUBSUB_SUBSCRIPTION)."
  type        = string
  default     = "payment-method-created-subscription"
}

variable "dead_letter_topic_name" {
  description = "Topic that receives events that can never succeed (PUBSUB_DEAD_LETTER_TOPIC)."
  type        = string
  default     = "payment-method-created-dead-letter-topic"
}

variable "dead_letter_subscription_name" {
  description = "Subscription on the dead-letter topic (PUBSUB_DEAD_LETTER_SUBSCRIPTION)."
  type        = string
  default     = "payment-method-created-dead-letter-subscription"
}

variable "ack_deadline_seconds" {
  description = "Subscription ack deadline in seconds (PUBSUB_ACK_DEADLINE)."
  type        = number
  default     = 60
}

variable "retry_minimum_backoff" {
  description = "Retry policy: first redelivery delay after a nack (PUBSUB_RETRY_MIN_BACKOFF)."
  type        = string
  default     = "10s"
}

variable "retry_maximum_backoff" {
  description = "Retry policy: longest redelivery delay (PUBSUB_RETRY_MAX_BACKOFF)."
  type        = string
  default     = "600s"
}

variable "max_delivery_attempts" {
  description = "Deliveries before an event is dead-lettered (WORKER_MAX_DELIVERY_ATTEMPTS)."
  type        = number
  default     = 5
}

variable "manage_iam" {
  description = "Grant the IAM roles below. Off for the emulator, which has no IAM."
  type        = bool
  default     = true
}

variable "publisher_service_account_email" {
  description = "Service account that may publish to the topic, and nothing else (null: none)."
  type        = string
  default     = null
}

variable "worker_service_account_email" {
  description = "Service account that may consume the subscription and publish to the dead-letter topic (null: none)."
  type        = string
  default     = null
}

variable "replay_window" {
  description = "How long the subscription keeps acked events for replay (PUBSUB_REPLAY_WINDOW); \"0s\" keeps none."
  type        = string
  default     = "604800s"
}

variable "enable_message_ordering" {
  description = "Deliver each ordering key's messages in publish order (PUBSUB_MESSAGE_ORDERING; cannot change on an existing subscription)."
  type        = bool
  default     = false
}

variable "enable_exactly_once_delivery" {
  description = "Exactly-once delivery (PUBSUB_EXACTLY_ONCE): no acked event is delivered again and every ack is confirmed; handlers still need the eventID as an idempotency key."
  type        = bool
  default     = false
}
