output "topic" {
  description = "PUBSUB_TOPIC for the publisher and the worker."
  value       = google_pubsub_topic.main.name
}

output "subscription" {
  description = "PUBSUB_SUBSCRIPTION for the worker."
  value       = google_pubsub_subscription.main.name
}

output "dead_letter_topic" {
  description = "PUBSUB_DEAD_LETTER_TOPIC for the worker."
  value       = google_pubsub_topic.dead_letter.name
}

output "dead_letter_subscription" {
  description = "PUBSUB_DEAD_LETTER_SUBSCRIPTION, for inspecting dead letters."
  value       = google_pubsub_subscription.dead_letter.name
}
