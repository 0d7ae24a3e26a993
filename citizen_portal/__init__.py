"""The public citizen portal: report, follow, rate; public lists, response times and petitions."""
