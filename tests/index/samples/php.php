<?php

declare(strict_types=1);

namespace App\Billing;

use App\Contracts\Repository;
use Psr\Log\LoggerInterface as Logger;

const DEFAULT_CURRENCY = 'EUR';

interface Payable
{
    public function amount(): int;
}

trait Timestamps
{
    public function touch(): void
    {
        $this->updatedAt = time();
    }
}

enum Status: string
{
    case Open = 'open';
    case Paid = 'paid';
}

final class Invoice extends Model implements Payable
{
    use Timestamps;

    public const TAX = 20;

    public function __construct(private Logger $logger, private array $lines = [])
    {
    }

    public function amount(): int
    {
        $sum = array_sum(array_map(fn ($line) => $line->total(), $this->lines));
        return self::withTax($sum);
    }

    public static function withTax(int $cents): int
    {
        return intdiv($cents * (100 + self::TAX), 100);
    }
}

function make_invoice(Repository $repo, Logger $logger): Invoice
{
    $invoice = new Invoice($logger);
    $repo->save($invoice);
    return $invoice;
}
