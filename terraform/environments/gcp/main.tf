# The topology on Google Cloud, with one service account for the publisher and one for the
# worker, each granted only what it needs.
terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.30, < 7.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.30, < 7.0"
    }
  }
}

variable "project_id" {
  description = "Google Cloud project (PUBSUB_PROJECT_ID)."
  type        = string
}

variable "region" {
  description = "Default region for the provider."
  type        = string
  default     = "europe-west1"
}

provider "google" {
  project = var.project_id
  region  = var.region
}

# The Cloud Run worker pool (worker.tf) is in the beta provider.
provider "google-beta" {
  project = var.project_id
  region  = var.region
}

resource "google_project_service" "pubsub" {
  project            = var.project_id
  service            = "pubsub.googleapis.com"
  disable_on_destroy = false
}

resource "google_service_account" "publisher" {
  project      = var.project_id
  account_id   = "event-tool-publisher"
  display_name = "event-tool publisher"
}

resource "google_service_account" "worker" {
  project      = var.project_id
  account_id   = "event-tool-worker"
  display_name = "event-tool worker"
}

module "pubsub" {
  source                          = "../../modules/pubsub"
  project_id                      = var.project_id
  publisher_service_account_email = google_service_account.publisher.email
  worker_service_account_email    = google_service_account.worker.email
  depends_on                      = [google_project_service.pubsub]
}

output "topic" { value = module.pubsub.topic }
output "subscription" { value = module.pubsub.subscription }
output "dead_letter_topic" { value = module.pubsub.dead_letter_topic }
output "dead_letter_subscription" { value = module.pubsub.dead_letter_subscription }
output "publisher_service_account" { value = google_service_account.publisher.email }
output "worker_service_account" { value = google_service_account.worker.email }
