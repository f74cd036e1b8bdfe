terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.0, < 7.0"
    }
  }
}

resource "google_pubsub_topic" "main" {
  project = var.project_id
  name    = var.topic_name
}

resource "google_pubsub_topic" "dead_letter" {
  project = var.project_id
  name    = var.dead_letter_topic_name
}

resource "google_pubsub_subscription" "main" {
  project              = var.project_id
  name                 = var.subscription_name
  topic                = google_pubsub_topic.main.id
  ack_deadline_seconds = var.ack_deadline_seconds

  # `event-tool setup --message-ordering`; the worker then handles each key's events in order.
  enable_message_ordering = var.enable_message_ordering

  # `event-tool setup --exactly-once`; the worker then logs an event acked only once Pub/Sub
  # confirmed its ack (docs/handlers.md: what exactly-once does and does not promise).
  enable_exactly_once_delivery = var.enable_exactly_once_delivery

  # What `event-tool replay` needs: acked events kept for the replay window.
  retain_acked_messages      = var.replay_window != "0s"
  message_retention_duration = var.replay_window != "0s" ? var.replay_window : null

  retry_policy {
    minimum_backoff = var.retry_minimum_backoff
    maximum_backoff = var.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = "" # never expire
  }
}

resource "google_pubsub_subscription" "dead_letter" {
  project              = var.project_id
  name                 = var.dead_letter_subscription_name
  topic                = google_pubsub_topic.dead_letter.id
  ack_deadline_seconds = var.ack_deadline_seconds

  expiration_policy {
    ttl = ""
  }
}

# --- IAM, least privilege -------------------------------------------------------------------

data "google_project" "this" {
  count      = var.manage_iam ? 1 : 0
  project_id = var.project_id
}

locals {
  pubsub_service_agent = var.manage_iam ? "serviceAccount:service-${data.google_project.this[0].number}@gcp-sa-pubsub.iam.gserviceaccount.com" : null
}

# The Pub/Sub service agent forwards undeliverable messages: it must publish to the dead-letter
# topic and acknowledge on the source subscription.
resource "google_pubsub_topic_iam_member" "service_agent_dead_letter_publisher" {
  count   = var.manage_iam ? 1 : 0
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "service_agent_subscriber" {
  count        = var.manage_iam ? 1 : 0
  project      = var.project_id
  subscription = google_pubsub_subscription.main.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

resource "google_pubsub_topic_iam_member" "publisher" {
  count   = var.manage_iam && var.publisher_service_account_email != null ? 1 : 0
  project = var.project_id
  topic   = google_pubsub_topic.main.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${var.publisher_service_account_email}"
}

resource "google_pubsub_subscription_iam_member" "worker_subscriber" {
  count        = var.manage_iam && var.worker_service_account_email != null ? 1 : 0
  project      = var.project_id
  subscription = google_pubsub_subscription.main.name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${var.worker_service_account_email}"
}

resource "google_pubsub_topic_iam_member" "worker_dead_letter_publisher" {
  count   = var.manage_iam && var.worker_service_account_email != null ? 1 : 0
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${var.worker_service_account_email}"
}
