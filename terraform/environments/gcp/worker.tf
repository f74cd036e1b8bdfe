# The worker itself on Google Cloud: an Artifact Registry repository for its image and a Cloud
# Run worker pool (made for pull workloads: no HTTP ingress, no request-based scaling) running it
# with the worker's service account. Names and variables match src/config/settings.ts
# (tests/deploy/terraform_test.ts checks them). Sizes come from docs/BENCHMARKS.md: one replica
# used ~0.85 core and ~200 MB resident draining ~17,000 no-op events/s with P=1000.

variable "worker_replicas" {
  description = "Worker replicas (instances of the worker pool); scale on the subscription's backlog."
  type        = number
  default     = 1
}

variable "worker_image_tag" {
  description = "Tag of the event-tool image pushed to the repository (see the push_image output)."
  type        = string
  default     = "latest"
}

variable "worker_pool_size" {
  description = "WORKER_POOL_SIZE: events handled at once per replica."
  type        = number
  default     = 1000
}

variable "worker_handler_url" {
  description = "WORKER_HANDLER_URL: the HTTP service each event is delivered to (empty: the logging handler)."
  type        = string
  default     = ""
}

resource "google_project_service" "run" {
  project            = var.project_id
  service            = "run.googleapis.com"
  disable_on_destroy = false
}

resource "google_project_service" "artifactregistry" {
  project            = var.project_id
  service            = "artifactregistry.googleapis.com"
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "event_tool" {
  project       = var.project_id
  location      = var.region
  repository_id = "event-tool"
  format        = "DOCKER"
  description   = "event-tool images"
  depends_on    = [google_project_service.artifactregistry]
}

locals {
  image = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.event_tool.repository_id}/event-tool:${var.worker_image_tag}"
}

resource "google_cloud_run_v2_worker_pool" "worker" {
  provider            = google-beta
  project             = var.project_id
  name                = "event-tool-worker"
  location            = var.region
  launch_stage        = "BETA"
  deletion_protection = false

  scaling {
    manual_instance_count = var.worker_replicas
  }

  template {
    service_account = google_service_account.worker.email
    containers {
      image = local.image
      args  = ["worker"]
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
      }
      env {
        name  = "PUBSUB_PROJECT_ID"
        value = var.project_id
      }
      env {
        name  = "PUBSUB_SUBSCRIPTION"
        value = module.pubsub.subscription
      }
      env {
        name  = "PUBSUB_DEAD_LETTER_TOPIC"
        value = module.pubsub.dead_letter_topic
      }
      env {
        name  = "WORKER_POOL_SIZE"
        value = tostring(var.worker_pool_size)
      }
      env {
        name  = "WORKER_HANDLER_URL"
        value = var.worker_handler_url
      }
      env {
        name  = "WORKER_SHUTDOWN_TIMEOUT"
        value = "30s"
      }
      env {
        name  = "LOG_FORMAT"
        value = "json"
      }
    }
  }

  depends_on = [google_project_service.run, module.pubsub]
}

output "push_image" {
  description = "How to build and push the worker image the pool runs."
  value       = "gcloud auth configure-docker ${var.region}-docker.pkg.dev && docker build -t ${local.image} . && docker push ${local.image}"
}

output "worker_pool" { value = google_cloud_run_v2_worker_pool.worker.name }
