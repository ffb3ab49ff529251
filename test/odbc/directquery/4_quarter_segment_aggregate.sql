-- Revenue and customers per quarter and segment from the monthly aggregate (a line chart).
select "_"."annee", "_"."libelle_trimestre", "_"."segment_rfm", "_"."a0", "_"."a1", "_"."a2"
from (
    select "rows"."annee" as "annee", "rows"."libelle_trimestre" as "libelle_trimestre",
        "rows"."segment_rfm" as "segment_rfm", sum("rows"."montant_ht") as "a0", sum("rows"."clients") as "a1",
        sum("rows"."bouteilles_75cl") as "a2"
    from (
        select "_"."montant_ht" as "montant_ht", "_"."clients" as "clients", "_"."bouteilles_75cl" as "bouteilles_75cl",
            "_"."segment_rfm" as "segment_rfm", "_2"."annee" as "annee", "_2"."libelle_trimestre" as "libelle_trimestre"
        from "crm_bi"."agg_ventes_mois_segment" as "_"
        inner join "crm_bi"."dim_date" as "_2" on ("_"."cle_date" = "_2"."cle_date")
    ) as "rows"
    group by "annee", "libelle_trimestre", "segment_rfm"
) as "_"
where not "_"."a0" is null
order by "_"."annee", "_"."libelle_trimestre", "_"."segment_rfm"
limit 1000001
