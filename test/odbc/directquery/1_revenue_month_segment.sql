-- Revenue per month and RFM segment (a matrix visual): sales ⋈ dates ⋈ customers, as DirectQuery folds it.
select "_"."annee_mois", "_"."libelle_mois_annee", "_"."segment_rfm", "_"."a0", "_"."a1", "_"."a2"
from (
    select "rows"."annee_mois" as "annee_mois", "rows"."libelle_mois_annee" as "libelle_mois_annee",
        "rows"."segment_rfm" as "segment_rfm", sum("rows"."montant_ht") as "a0",
        count(distinct("rows"."numero_vente")) as "a1", sum("rows"."marge") as "a2"
    from (
        select "_"."montant_ht" as "montant_ht", "_"."marge" as "marge", "_"."numero_vente" as "numero_vente",
            "_2"."annee_mois" as "annee_mois", "_2"."libelle_mois_annee" as "libelle_mois_annee",
            "_3"."segment_rfm" as "segment_rfm"
        from "crm_bi"."fait_ventes" as "_"
        inner join "crm_bi"."dim_date" as "_2" on ("_"."cle_date" = "_2"."cle_date")
        inner join "crm_bi"."dim_client" as "_3" on ("_"."cle_client" = "_3"."cle_client")
        where "_2"."annee" >= 2000
    ) as "rows"
    group by "annee_mois", "libelle_mois_annee", "segment_rfm"
) as "_"
where not "_"."a0" is null or not "_"."a1" is null or not "_"."a2" is null
order by "_"."annee_mois", "_"."segment_rfm"
limit 1000001
