# A Kubestack-style configuration: one module per cluster, the environment is the Terraform workspace.
# terraform_data stands in for the cloud resources, so the example plans and applies offline.
locals {
  # Configuration inheritance: each environment's map is merged over the base (first) environment's.
  configuration = {
    ops = {
      cluster_name = "ops"
      node_count   = 1
      region       = "europe-west1"
    }
    apps = {
      cluster_name = "apps"
      node_count   = 3
    }
    apps-prod = {
      cluster_name = "apps-prod"
      node_count   = 5
    }
  }
  cfg = merge(local.configuration["ops"], lookup(local.configuration, terraform.workspace, {}))
}

resource "terraform_data" "cluster" {
  input = {
    name   = "gke-${local.cfg.cluster_name}"
    region = local.cfg.region
  }
}

resource "terraform_data" "node_pool" {
  input = {
    cluster    = terraform_data.cluster.output.name
    node_count = local.cfg.node_count
  }
}

output "cluster_name" {
  value = terraform_data.cluster.output.name
}

output "kubeconfig" {
  value     = "kubeconfig-for-${local.cfg.cluster_name}"
  sensitive = true
}
