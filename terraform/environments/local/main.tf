# The topology on a local emulator (e.g. `docker compose up pubsub-emulator`), for people who
# manage even local resources with Terraform. `event-tool setup` does the same without it.
terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.0, < 7.0"
    }
  }
}

variable "project_id" {
  description = "Project ID the emulator serves (PUBSUB_PROJECT_ID)."
  type        = string
  default     = "local-project"
}

variable "emulator_endpoint" {
  description = "Emulator REST endpoint (http://PUBSUB_EMULATOR_HOST/v1/)."
  type        = string
  default     = "http://localhost:8085/v1/"
}

provider "google" {
  project                = var.project_id
  pubsub_custom_endpoint = var.emulator_endpoint
  access_token           = "emulator" # the emulator checks no credentials
}

module "pubsub" {
  source     = "../../modules/pubsub"
  project_id = var.project_id
  manage_iam = false
}

output "topic" { value = module.pubsub.topic }
output "subscription" { value = module.pubsub.subscription }
output "dead_letter_topic" { value = module.pubsub.dead_letter_topic }
output "dead_letter_subscription" { value = module.pubsub.dead_letter_subscription }
